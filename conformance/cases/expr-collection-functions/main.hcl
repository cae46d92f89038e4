output "concat" { value = concat(["a"], ["b", "c"], []) }
output "flatten" { value = flatten([["a", ["b"]], [], "c"]) }
output "distinct" { value = distinct(["a", "b", "a", "c", "b"]) }
output "sort" { value = sort(["banana", "apple", "10", "9"]) }
output "reverse" { value = reverse([1, 2, 3]) }
output "slice" { value = slice(["a", "b", "c", "d"], 1, 3) }
output "element_wraps" { value = element(["a", "b", "c"], 4) }
output "index" { value = index(["a", "b", "c"], "b") }
output "contains" { value = contains(["a", "b"], "b") }
output "keys" { value = keys({ b = 1, a = 2 }) }
output "values" { value = values({ b = 1, a = 2 }) }
output "merge" { value = merge({ a = 1, b = 2 }, { b = 3, c = 4 }) }
output "zipmap" { value = zipmap(["a", "b"], [1, 2]) }
output "chunklist" { value = chunklist([1, 2, 3, 4, 5], 2) }
output "coalesce" { value = coalesce("", null, "x", "y") }
output "coalescelist" { value = coalescelist([], ["a"], ["b"]) }
output "compact" { value = compact(["a", "", "b", null]) }
output "range" { value = range(3) }
output "range_step" { value = range(1, 10, 3) }
output "setproduct" { value = setproduct(["a", "b"], [1, 2]) }
output "setunion" { value = setunion(["a", "b"], ["b", "c"]) }
output "setintersection" { value = setintersection(["a", "b"], ["b", "c"]) }
output "setsubtract" { value = setsubtract(["a", "b", "c"], ["b"]) }
output "one" { value = one(["only"]) }
output "alltrue" { value = alltrue([true, true]) }
output "anytrue" { value = anytrue([false, true]) }
output "sum" { value = sum([1, 2, 3.5]) }
output "length" { value = [length("héllo"), length([1, 2]), length({ a = 1 })] }
