# Moving DNS zones from BIND to Route 53 (issue 3): one aws_route53_zone per
# zone file in zones/, kept in sync with the files from then on, and the
# name servers each domain must be delegated to, as the CSV a registrar's
# bulk update takes. See README.md for how to run it.

variable "aws_region" {
  description = "AWS region for the SDK (Route 53 itself is global)."
  type        = string
  default     = "us-east-1"
}

variable "aws_endpoint" {
  description = "Route 53 endpoint; null for real AWS, or an emulator's URL such as http://127.0.0.1:4566."
  type        = string
  default     = null
}

variable "max_requests_per_second" {
  description = "Client-side Route 53 request rate; null for the provider's default (10), 0 for none (emulators)."
  type        = number
  default     = null
}

provider "aws" {
  region                  = var.aws_region
  endpoint                = var.aws_endpoint
  max_requests_per_second = var.max_requests_per_second
}

# One zone per zones/<domain>.zone file, keyed by domain, so addresses read
# aws_route53_zone.site["example.org"].
resource "aws_route53_zone" "site" {
  for_each = { for f in fileset("zones", "*.zone") : trimsuffix(f, ".zone") => f }

  name    = each.key
  comment = "Migrated from BIND by plumb"
  # The file's SOA and apex NS are the old servers'; Route 53 keeps its own
  # (set manage_apex_ns = true to publish the file's instead).
  records = zonefile("zones/${each.value}", each.key)
}

# What the registrar needs: each domain and the four Route 53 name servers
# to delegate it to. Write it with: plumb output -raw registrar_csv > nameservers.csv
output "registrar_csv" {
  description = "domain,ns1,ns2,ns3,ns4 for every zone, with a header line."
  value = join("\n", concat(
    ["domain,ns1,ns2,ns3,ns4"],
    [for domain, zone in aws_route53_zone.site : join(",", concat([domain], zone.nameservers))],
  ))
}
