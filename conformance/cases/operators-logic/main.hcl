output "and_or" { value = [true && false, true || false, !true] }
output "compare" { value = [1 < 2, 2 <= 2, 3 > 4, "a" == "a", "a" != "b"] }
output "collections_equal" { value = [[1, 2] == [1, 2], { a = 1 } == { a = 1 }, tolist(["a"]) == ["a"]] }
output "null_equal" { value = [null == null, "x" == null] }
