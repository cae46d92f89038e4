resource "local_file" "config" {
  filename = "app.conf"
  content  = "listen 8080\n"
}

data "local_file" "config" {
  filename = local_file.config.filename
}

output "read_back" { value = data.local_file.config.content }
