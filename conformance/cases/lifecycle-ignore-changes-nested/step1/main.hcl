resource "plumb_data" "site" {
  input = {
    name = "www"
    tags = { owner = "ops", env = "prod" }
  }
  lifecycle {
    ignore_changes = [input["tags"]["owner"]]
  }
}

output "tags" { value = plumb_data.site.output.tags }
