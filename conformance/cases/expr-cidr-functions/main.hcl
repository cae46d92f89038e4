output "cidrhost" { value = [cidrhost("10.12.112.0/20", 16), cidrhost("10.12.112.0/20", -1), cidrhost("fd00::/64", 5)] }
output "cidrhost_leading_zeros" { value = cidrhost("010.001.2.0/24", 1) }
output "cidrsubnet" { value = [cidrsubnet("172.16.0.0/12", 4, 2), cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)] }
output "cidrsubnets" { value = cidrsubnets("10.1.0.0/16", 4, 4, 8, 4) }
output "cidrnetmask" { value = cidrnetmask("172.16.0.0/12") }
