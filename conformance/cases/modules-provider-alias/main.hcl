provider "plumb" {
  alias = "local"
}

resource "plumb_data" "root" {
  provider = plumb.local
  input    = "root"
}

module "child" {
  source    = "./modules/child"
  providers = {
    plumb = plumb.local
  }
}

output "child" { value = module.child.value }
