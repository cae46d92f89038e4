output "items" { value = format("%d items", 3) }
output "percent" { value = format("%.1f%%", 12.345) }
output "padded" { value = format("%03d|%-5s|%5s", 7, "ab", "cd") }
output "hex" { value = format("%x", 255) }
output "list" { value = formatlist("host-%02d", [1, 2, 10]) }
