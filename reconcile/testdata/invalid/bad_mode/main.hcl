resource "local_file" "a" {
  filename = "a.txt"
  content  = "x"
  mode     = "rwx"
}
