module "outer" {
  source = "./modules/outer"
  prefix = "www"
}

output "fqdn" { value = module.outer.fqdn }
