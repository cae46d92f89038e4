check "c" {
  data "local_file" "f" {
    filename = "f.txt"
  }
  assert {
    condition     = data.local_file.f.content != ""
    error_message = "empty"
  }
}

output "leak" { value = data.local_file.f.content }
