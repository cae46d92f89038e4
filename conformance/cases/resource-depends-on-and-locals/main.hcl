resource "plumb_data" "base" { input = "base" }

locals {
  derived = "${plumb_data.base.output}-derived"
}

resource "plumb_data" "after" {
  input      = local.derived
  depends_on = [plumb_data.base]
}

output "after" { value = plumb_data.after.output }
