resource "local_file" "marker" {
  filename = "marker.txt"
  content  = "ready\n"
}

data "local_file" "marker" {
  filename   = "marker.txt"
  depends_on = [local_file.marker]
}

output "marker" { value = data.local_file.marker.content }
