# The quickstart estate: a few static sites laid out on local disk, with
# an allow list per site, a record of the release they run, and a DNS zone
# for one of them as a BIND zone file. It needs nothing but the plumb
# binary: run it with `make demo` from the top of the repository, or by
# hand with `plumb -chdir=examples/quickstart plan`.

variable "release" {
  description = "The release every site runs."
  type        = string
  default     = "2026.11"
}

variable "sites" {
  description = "Sites by domain: who may reach the admin area."
  type = map(object({
    owner       = string
    admin_allow = list(string)
  }))
  default = {
    "example.org" = {
      owner       = "Ada"
      admin_allow = ["192.0.2.10", "198.51.100.0/24"]
    }
    "example.net" = {
      owner       = "Grace"
      admin_allow = ["203.0.113.7"]
    }
  }
}

locals {
  root = "build/www"
}

# One release record that every site refers to: changing var.release shows
# up as one change here and one per site below.
resource "plumb_data" "release" {
  input = {
    version = var.release
  }
}

resource "local_file" "index" {
  for_each = var.sites

  filename = "${local.root}/${each.key}/index.html"
  content = templatefile("${path.root}/index.html.tpl", {
    domain  = each.key
    owner   = each.value.owner
    release = plumb_data.release.output.version
  })
}

resource "local_file" "admin_allow" {
  for_each = var.sites

  filename = "${local.root}/${each.key}/admin/.htaccess"
  mode     = "0640"
  content = join("\n", concat(
    ["# managed by plumb: admin area of ${each.key}", "<RequireAny>"],
    [for ip in each.value.admin_allow : "    Require ip ${ip}"],
    ["</RequireAny>", ""],
  ))
}

# DNS for example.org as a BIND zone file, build/zones/example.org.zone:
# plumb writes the file and its SOA (the serial goes up with every change),
# and a hand edit of the file shows in the next plan. BIND can load it as it
# is: named-checkzone example.org build/zones/example.org.zone
resource "bind_zone" "example_org" {
  name      = "example.org."
  directory = "build/zones"

  records = [
    { name = "example.org.", type = "NS", ttl = 3600, values = ["ns1.example.net.", "ns2.example.net."] },
    { name = "example.org.", type = "A", ttl = 300, values = ["192.0.2.10"] },
    { name = "example.org.", type = "AAAA", ttl = 300, values = ["2001:db8::10"] },
    { name = "example.org.", type = "MX", ttl = 3600, values = ["10 mail.example.org."] },
    { name = "example.org.", type = "TXT", ttl = 3600, values = ["v=spf1 mx -all"] },
    { name = "mail.example.org.", type = "A", ttl = 3600, values = ["192.0.2.25"] },
    { name = "www.example.org.", type = "CNAME", ttl = 300, values = ["example.org."] },
  ]
}

output "sites" {
  description = "Where each site's files are."
  value       = { for domain, f in local_file.index : domain => dirname(f.filename) }
}
