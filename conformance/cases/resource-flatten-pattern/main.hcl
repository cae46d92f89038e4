locals {
  networks = {
    office = ["192.0.2.0/28", "192.0.2.16/28"]
    lab    = ["198.51.100.0/28"]
  }
  subnets = flatten([
    for net, cidrs in local.networks : [
      for cidr in cidrs : { network = net, cidr = cidr }
    ]
  ])
}

resource "plumb_data" "subnet" {
  for_each = { for s in local.subnets : "${s.network}/${cidrhost(s.cidr, 0)}" => s }
  input    = each.value.cidr
}

output "keys" { value = sort(keys(plumb_data.subnet)) }
output "gateways" { value = { for k, s in plumb_data.subnet : k => cidrhost(s.output, 1) } }
