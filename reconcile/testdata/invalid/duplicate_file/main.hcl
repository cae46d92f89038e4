resource "local_file" "a" {
  filename = "out/site.conf"
  content  = "a"
}

resource "local_file" "b" {
  filename = "./out/site.conf"
  content  = "b"
}
