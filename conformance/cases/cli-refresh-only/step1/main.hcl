resource "local_file" "note" {
  filename = "note.txt"
  content  = "hello\n"
}

output "content" { value = local_file.note.content }
