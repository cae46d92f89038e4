variable "name" { type = string }

resource "plumb_data" "n" { input = upper(var.name) }

output "upper" { value = plumb_data.n.output }
