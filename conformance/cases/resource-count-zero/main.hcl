variable "enabled" { default = false }

resource "plumb_data" "optional" {
  count = var.enabled ? 1 : 0
  input = "on"
}

output "value" { value = try(plumb_data.optional[0].output, "off") }
output "count" { value = length(plumb_data.optional) }
