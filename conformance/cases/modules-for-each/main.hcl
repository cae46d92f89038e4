module "site" {
  source   = "./modules/site"
  for_each = { a = 120, b = 600 }
  domain   = "${each.key}.example.org"
  ttl      = each.value
}

module "single" {
  source = "./modules/site"
  domain = "solo.example.org"
}

output "names" { value = { for k, m in module.site : k => m.name } }
output "ttls" { value = [for m in module.site : m.ttl] }
output "single" { value = module.single.name }
output "default_ttl" { value = module.single.ttl }
