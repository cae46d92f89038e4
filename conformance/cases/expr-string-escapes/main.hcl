output "escapes" { value = "tab:\t quote:\" backslash:\\ unicode:\u00e9 newline:\n." }
output "length" { value = length("\u00e9\U0001F600") }
