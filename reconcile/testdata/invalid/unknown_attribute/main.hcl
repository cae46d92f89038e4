resource "local_file" "a" {
  filename = "a.txt"
  contnt   = "typo"
}
