# During a denial-of-service attack: find the clients over the threshold in
# the access log's last 10 minutes, and drop them for an hour with an
# nftables block list that plumb owns. Run it from cron every minute while
# the attack lasts (plumb -chdir=... apply -auto-approve); blocks expire by
# themselves once an address stops offending.

variable "log" {
  description = "Access logs to read (globs; .gz files are read too)."
  type        = list(string)
  default     = ["sample-access.log"]
}

variable "office" {
  description = "Networks that are never blocked, whatever the logs say."
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

data "access_log_offenders" "web" {
  paths     = var.log
  window    = "10m"
  threshold = 100
  # Health checks and the site's own assets are not what an attacker sends.
  exclude_uris = ["/healthz", "/static/"]
}

resource "nftables_blocklist" "flood" {
  table       = "plumb_blocklist"
  addresses   = data.access_log_offenders.web.addresses
  evidence    = data.access_log_offenders.web.evidence
  counts      = data.access_log_offenders.web.counts
  timeout     = "1h"
  never_block = var.office
  max_entries = 5000
}
