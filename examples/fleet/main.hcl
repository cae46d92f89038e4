# Three web servers and one Subversion server, managed from one
# configuration over SSH: planned in CI, applied from a workstation (see
# README.md).
#
#   - On every web server, each site's admin area lets in the office, whose
#     address follows a dynamic-DNS name, and nobody else.
#   - One block list, fed by the access logs of all the web servers, drops
#     the clients flooding any of them, on every web server.
#   - The Subversion server gets the commit policy in its repositories'
#     pre-commit hooks and encrypted offsite backups in S3.
#
# Each host-side provider has one instance per server (for_each on the
# provider block), reached through its ssh block; resources pick their
# server with provider = apache.web[each.key]. Adding a server is one
# line in web_servers.

variable "web_servers" {
  description = "The web servers, by name: their address and SSH port, the folder holding one folder per site, and their access log (globs read rotated sets, .gz too)."
  type = map(object({
    address    = string
    port       = number
    web_root   = string
    access_log = string
  }))
  default = {
    web1 = { address = "web1.example.net", port = 22, web_root = "/srv/www", access_log = "/var/log/apache2/access.log*" }
    web2 = { address = "web2.example.net", port = 22, web_root = "/srv/www", access_log = "/var/log/apache2/access.log*" }
    web3 = { address = "web3.example.net", port = 22, web_root = "/srv/www", access_log = "/var/log/apache2/access.log*" }
  }
}

variable "svn_server" {
  description = "The Subversion server: its address, SSH port and repositories."
  type = object({
    address      = string
    port         = number
    repositories = set(string)
  })
  default = {
    address      = "svn.example.net"
    port         = 22
    repositories = ["/srv/svn/website", "/srv/svn/intranet"]
  }
}

# How plumb logs in. The defaults suit a workstation: the keys in
# ssh-agent and ~/.ssh/known_hosts. CI passes a key file and the
# known_hosts file kept in this repository (README.md).
variable "ssh_user" {
  description = "The login on every server; it needs sudo without a password for what plumb runs there."
  type        = string
  default     = "plumb"
}

variable "ssh_private_key_file" {
  description = "A private key to log in with; null uses ssh-agent."
  type        = string
  default     = null
}

variable "known_hosts_file" {
  description = "The known_hosts file listing the servers' keys; null is ~/.ssh/known_hosts."
  type        = string
  default     = null
}

variable "office_name" {
  description = "The office's dynamic-DNS name."
  type        = string
  default     = "office.example.org"
}

variable "allow_local" {
  description = "Accept loopback and link-local addresses in the allow lists. Keep it false behind a reverse proxy on the same machine, where every client arrives from loopback; the example's tests set it, since their Apache serves clients on loopback directly."
  type        = bool
  default     = false
}

variable "dns_server" {
  description = "A DNS server (IP or IP:PORT) to ask instead of the system resolver."
  type        = string
  default     = null
}

variable "always_allowed" {
  description = "Networks let into the admin areas, and never blocked, whatever the office's address is: the VPN."
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

variable "sites" {
  description = "The sites on every web server whose admin area is kept for the office."
  type        = set(string)
  default     = ["blog.example", "shop.example"]
}

variable "apachectl_args" {
  description = "Arguments apachectl gets before -t on the web servers; null checks their default configuration."
  type        = list(string)
  default     = null
}

variable "flood_threshold" {
  description = "Requests in the last 10 minutes of a server's log that make a client an offender."
  type        = number
  default     = 100
}

variable "plumb_on_svn_server" {
  description = "Where plumb is installed on the Subversion server: the hook runs it there (the Debian package puts it in /usr/bin)."
  type        = string
  default     = "/usr/bin/plumb"
}

variable "backup_bucket" {
  description = "The S3 bucket for the encrypted backups."
  type        = string
  default     = "example-svn-backups"
}

variable "backup_recipients" {
  description = "age public keys the backups are encrypted to; the private key stays off every server."
  type        = list(string)
  default     = ["age16znvn4dkq49kcra65ysfjvsv9977zuva3wfcxxeg4wq0nvngmcvq6rys9m"]
}

# One provider instance per web server, for each host-side provider.

provider "apache" {
  alias          = "web"
  for_each       = var.web_servers
  apachectl_args = var.apachectl_args
  ssh {
    host             = each.value.address
    port             = each.value.port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
    known_hosts_file = var.known_hosts_file
    sudo             = true
  }
}

provider "accesslog" {
  alias    = "web"
  for_each = var.web_servers
  ssh {
    host             = each.value.address
    port             = each.value.port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
    known_hosts_file = var.known_hosts_file
    sudo             = true
  }
}

provider "netfilter" {
  alias    = "web"
  for_each = var.web_servers
  ssh {
    host             = each.value.address
    port             = each.value.port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
    known_hosts_file = var.known_hosts_file
    sudo             = true
  }
}

# The Subversion server. S3 is reached from wherever plumb runs (the
# AWS_* variables and shared config files apply); only the dump comes
# from the server.
provider "svn" {
  region = "eu-west-1"
  ssh {
    host             = var.svn_server.address
    port             = var.svn_server.port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
    known_hosts_file = var.known_hosts_file
    sudo             = true
  }
}

# The office's address, resolved where plumb runs, at plan time. A name
# that does not resolve fails the plan: no admin area is ever emptied.
data "dns_addresses" "office" {
  name    = var.office_name
  server  = var.dns_server
  timeout = "5s"
}

locals {
  office = concat(data.dns_addresses.office.addresses, var.always_allowed)

  # Every site's admin area on every web server, keyed "web1/shop.example".
  admin_areas = {
    for pair in setproduct(keys(var.web_servers), var.sites) :
    "${pair[0]}/${pair[1]}" => { server = pair[0], site = pair[1] }
  }
}

resource "apache_htaccess_access" "admin" {
  for_each = local.admin_areas
  provider = apache.web[each.value.server]

  path  = "${var.web_servers[each.value.server].web_root}/${each.value.site}/admin/.htaccess"
  allow = local.office

  # Loopback or link-local addresses are refused unless this is set.
  allow_local = var.allow_local

  # apachectl -t runs on the web server; a file Apache rejects is put back.
  validate = true
}

# Who floods which server: each server's log is read where it is,
# streamed over SSH.
data "access_log_offenders" "web" {
  for_each = var.web_servers
  provider = accesslog.web[each.key]

  paths        = [each.value.access_log]
  window       = "10m"
  threshold    = var.flood_threshold
  exclude_uris = ["/healthz", "/static/"]
}

locals {
  # One list from all the servers' logs: an address flooding one server
  # is dropped on all of them.
  offenders = sort(distinct(flatten([for d in data.access_log_offenders.web : d.addresses])))
  evidence = merge([
    for name, d in data.access_log_offenders.web : { for addr, why in d.evidence : addr => "${name}: ${why}" }
  ]...)
}

resource "nftables_blocklist" "flood" {
  for_each = var.web_servers
  provider = netfilter.web[each.key]

  table       = "plumb_flood"
  addresses   = local.offenders
  evidence    = local.evidence
  timeout     = "1h"
  never_block = local.office
  max_entries = 5000
}

# The Subversion server: the commit policy and the backups.

resource "svn_pre_commit_hook" "policy" {
  for_each = var.svn_server.repositories

  repository         = each.key
  plumb_path         = var.plumb_on_svn_server
  min_message_length = 6
  forbid_paths       = ["*.log", "**/node_modules/**"]
  chain_existing     = true

  lint {
    pattern = "*.php"
    command = ["php", "-l"]
    timeout = "20s"
  }
}

resource "svn_offsite_backup" "nightly" {
  for_each = var.svn_server.repositories

  repository  = each.key
  bucket      = var.backup_bucket
  prefix      = "svn/${basename(each.key)}/"
  recipients  = var.backup_recipients
  interval    = "24h"
  incremental = true
}

output "office_addresses" {
  description = "What the office's name resolved to in this run."
  value       = data.dns_addresses.office.addresses
}

output "blocked" {
  description = "The addresses the block list drops on every web server."
  value       = local.offenders
}
