resource "plumb_data" "first" { input = "first" }

module "copy" {
  source     = "./modules/site"
  count      = 2
  domain     = "n${count.index}.example.org"
  depends_on = [plumb_data.first]
}

output "names" { value = module.copy[*].name }
