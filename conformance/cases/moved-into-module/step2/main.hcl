module "site" {
  source = "./modules/site"
  domain = "example.org"
}

moved {
  from = plumb_data.zone
  to   = module.site.plumb_data.zone
}

output "name" { value = module.site.name }
