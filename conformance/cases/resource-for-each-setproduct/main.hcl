locals {
  zones = ["example.org", "example.net"]
  hosts = ["www", "mail"]
  names = { for pair in setproduct(local.zones, local.hosts) : "${pair[1]}.${pair[0]}" => pair }
}

resource "plumb_data" "record" {
  for_each = local.names
  input    = { zone = each.value[0], host = each.value[1] }
}

output "keys" { value = sort(keys(plumb_data.record)) }
output "zone_of_mail_net" { value = plumb_data.record["mail.example.net"].output.zone }
