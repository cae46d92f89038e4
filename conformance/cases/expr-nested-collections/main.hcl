locals {
  teams = {
    dns = ["ada", "grace"]
    web = ["linus"]
  }
}

output "upper" { value = { for team, people in local.teams : team => [for p in people : upper(p)] } }
output "everyone" { value = sort(flatten(values(local.teams))) }
output "pairs" { value = [for pair in setproduct(["a", "b"], ["x"]) : join("-", pair)] }
output "counts" { value = { for team, people in local.teams : team => length(people) if length(people) > 1 } }
