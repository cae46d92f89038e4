locals {
  owners = { alice = ["www", "db"], bob = ["www"] }
}

output "by_host" { value = transpose(local.owners) }
output "in_east" { value = matchkeys(["i-1", "i-2", "i-3"], ["west", "east", "east"], ["east"]) }
