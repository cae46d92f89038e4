variable "sites" {
  type = map(object({ port = number }))
  default = {
    www = { port = 443 }
    api = { port = 8443 }
  }
}

resource "plumb_data" "site" {
  for_each = var.sites
  input    = "${each.key}:${each.value.port}"
}

output "by_key" { value = { for k, s in plumb_data.site : k => s.output } }
output "api" { value = plumb_data.site["api"].output }
