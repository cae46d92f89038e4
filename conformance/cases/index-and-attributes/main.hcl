locals {
  config = {
    sites = {
      www = { ports = [80, 443], tags = { env = "prod" } }
    }
    list = ["zero", "one"]
  }
}

output "deep" { value = local.config.sites["www"].ports[1] }
output "bracket_attr" { value = local.config["list"][0] }
output "map_lookup" { value = local.config.sites.www.tags.env }
output "dynamic_key" { value = local.config.sites[join("", ["w", "ww"])].tags["env"] }
