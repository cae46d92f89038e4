resource "plumb_data" "x" { input = "child" }

output "value" { value = plumb_data.x.output }
