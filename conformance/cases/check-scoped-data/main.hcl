resource "local_file" "health" {
  filename = "health.txt"
  content  = "ok\n"
}

check "health_file" {
  data "local_file" "health" {
    filename   = "health.txt"
    depends_on = [local_file.health]
  }

  assert {
    condition     = trimspace(data.local_file.health.content) == "ok"
    error_message = "health.txt does not say ok."
  }
}
