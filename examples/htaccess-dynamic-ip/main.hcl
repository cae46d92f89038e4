# Admin areas that follow the office's dynamic IP.
#
# The office reaches the internet through a dynamic address behind a
# dynamic-DNS name. Every site's admin folder lets in that address and the
# VPN range, and nobody else. plumb runs from cron every 15 minutes (see
# plumb.cron): when the office's address changes, the next run rewrites
# the allow block of each site's .htaccess, and nothing else in the file.
#
# If the name stops resolving, or the DNS server does not answer, the plan
# fails and every .htaccess stays as it is: the office keeps its last
# known address rather than being locked out by an empty list.

variable "office_name" {
  description = "The office's dynamic-DNS name."
  type        = string
  default     = "office.example.org"
}

variable "dns_server" {
  description = "A DNS server (IP or IP:PORT) to ask instead of the system resolver, such as the dynamic-DNS service's own server, which sees a change before caches do."
  type        = string
  default     = null
}

variable "web_root" {
  description = "The folder holding one folder per site."
  type        = string
  default     = "/srv/www"
}

variable "sites" {
  description = "The sites whose admin folder is kept for the office."
  type        = set(string)
  default     = ["blog.example", "intranet.example", "shop.example"]
}

variable "always_allowed" {
  description = "Addresses let in whatever the office's address is: the VPN."
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

data "dns_addresses" "office" {
  name    = var.office_name
  server  = var.dns_server
  timeout = "5s"
}

resource "apache_htaccess_access" "admin" {
  for_each = var.sites

  path   = "${var.web_root}/${each.key}/admin/.htaccess"
  allow  = concat(data.dns_addresses.office.addresses, var.always_allowed)
  syntax = "apache24"

  # An office address of 127.0.0.1 (a DNS answer gone wrong) would let
  # everyone in behind a local reverse proxy: refused unless this is set.
  allow_local = var.allow_local

  # -var validate=true checks every file with apachectl -t before keeping
  # it (needs Apache on this machine; apachectl_args, below, picks the
  # server to check against).
  validate = var.validate
}

output "office_addresses" {
  description = "What the office's name resolved to in this run."
  value       = data.dns_addresses.office.addresses
}

variable "allow_local" {
  description = "Accept loopback and link-local addresses in the allow lists. Keep it false behind a reverse proxy on the same machine, where every client arrives from loopback; the example's tests set it, since their Apache serves clients on loopback directly."
  type        = bool
  default     = false
}

variable "validate" {
  description = "Check every file with apachectl -t before keeping it, and put the old one back if Apache rejects it (needs Apache on this machine)."
  type        = bool
  default     = null
}

variable "apachectl_args" {
  description = "Arguments apachectl gets before -t, to check a server other than the default one, such as [\"-f\", \"/etc/httpd/conf/httpd.conf\"]."
  type        = list(string)
  default     = null
}

provider "apache" {
  apachectl_args = var.apachectl_args
}
