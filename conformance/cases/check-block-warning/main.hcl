resource "local_file" "motd" {
  filename = "motd.txt"
  content  = "maintenance tonight\n"
}

check "motd_is_friendly" {
  assert {
    condition     = !strcontains(local_file.motd.content, "maintenance")
    error_message = "The message of the day mentions maintenance."
  }
}

output "file" { value = local_file.motd.filename }
