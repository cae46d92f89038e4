module "site" {
  source = "./modules/site"
  domain = "x.example.org"
  ttl    = 5
}
