locals {
  nums  = [1, 2, 3, 4, 5]
  names = ["alpha", "beta", "gamma"]
}

output "squares" { value = [for n in local.nums : n * n] }
output "evens" { value = [for n in local.nums : n if n % 2 == 0] }
output "lengths" { value = { for s in local.names : s => length(s) } }
output "indexed" { value = [for i, s in local.names : "${i}:${s}"] }
output "grouped" { value = { for s in ["apple", "avocado", "banana"] : substr(s, 0, 1) => s... } }
output "upper_keys" { value = { for k, v in { a = "x", b = "y" } : upper(k) => v } }
output "nested" { value = [for row in [[1, 2], [3]] : [for x in row : x * 10]] }
