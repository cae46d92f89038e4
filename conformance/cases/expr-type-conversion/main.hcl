output "tostring" { value = tostring(1) }
output "tonumber" { value = tonumber("5") + 1 }
output "tobool" { value = tobool("true") }
output "tolist" { value = tolist(["a", 1]) }
output "toset" { value = toset(["b", "a", "b"]) }
output "tomap" { value = tomap({ a = 1, b = "x" }) }
output "can" { value = [can(tonumber("x")), can(tonumber("1"))] }
output "try" { value = try(tonumber("x"), 0) }
output "auto_number" { value = "3" * 2 }
output "auto_string" { value = "n=${5}" }
