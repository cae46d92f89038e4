variable "prefix" { type = string }

module "inner" {
  source = "../inner"
  name   = "${var.prefix}.example.org"
}

output "fqdn" { value = module.inner.upper }
