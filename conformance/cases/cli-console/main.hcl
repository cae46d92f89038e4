variable "name" { default = "web" }

locals {
  fqdn = "${var.name}.example.org"
}

resource "plumb_data" "node" {
  count = 2
  input = "${local.fqdn}-${count.index}"
}
