locals {
  backends = ["10.0.0.1", "10.0.0.2"]
}

output "rendered" {
  value = templatefile("upstream.tftpl", { name = "app", backends = local.backends })
}

output "from_string" {
  value = templatestring(local.template, { who = "world" })
}

locals {
  template = "Hello, $${who}!"
}

output "file" { value = file("motd.txt") }
