# The quickstart estate: a few static sites laid out on local disk, with
# an allow list per site and a record of the release they run. It needs
# nothing but the plumb binary: run it with `make demo` from the top of
# the repository, or by hand with `plumb -chdir=examples/quickstart plan`.

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

output "sites" {
  description = "Where each site's files are."
  value       = { for domain, f in local_file.index : domain => dirname(f.filename) }
}
