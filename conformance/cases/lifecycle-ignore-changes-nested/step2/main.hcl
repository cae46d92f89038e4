resource "plumb_data" "site" {
  input = {
    name = "www"
    tags = { owner = "someone-else", env = "test" }
  }
  lifecycle {
    ignore_changes = [input["tags"]["owner"]]
  }
}

output "tags" { value = plumb_data.site.output.tags }
