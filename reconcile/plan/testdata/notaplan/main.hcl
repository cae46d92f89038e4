resource "local_file" "site" {
  filename = "site/index.html"
  content  = "hello"
}
