variable "soa" {
  default = [{ rname = "hostmaster@example.org", refresh = 7200 }]
}

locals {
  hosts = { www = "192.0.2.10", mail = "192.0.2.20" }
}

resource "bind_zone" "z" {
  name      = "example.org"
  directory = "zones"
  records = concat(
    [{ name = "example.org.", type = "NS", ttl = 3600, values = ["ns1.example.net."] }],
    [for h, ip in local.hosts : { name = "${h}.example.org.", type = "A", ttl = 300, values = [ip] }],
  )

  dynamic "soa" {
    for_each = var.soa
    iterator = s
    content {
      rname   = s.value.rname
      refresh = s.value.refresh
    }
  }
}

output "refresh" { value = bind_zone.z.soa.refresh }
output "rname" { value = bind_zone.z.soa.rname }
