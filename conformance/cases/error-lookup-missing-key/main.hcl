output "x" { value = lookup(tomap({ a = 1 }), "b") }
