resource "local_file" "a" {
  filename = "a.txt"
  content  = ["not", "a", "string"]
}
