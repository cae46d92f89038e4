locals {
  servers = [
    { name = "web1", ip = "10.0.0.1" },
    { name = "web2", ip = "10.0.0.2" },
  ]
}

resource "plumb_data" "node" {
  count = 2
  input = "node-${count.index}"
}

output "names" { value = local.servers[*].name }
output "legacy_ips" { value = local.servers.*.ip }
output "single" { value = { name = "solo" }[*].name }
output "from_null" { value = length(null[*]) }
output "resource_outputs" { value = plumb_data.node[*].output }
