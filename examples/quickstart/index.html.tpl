<!doctype html>
<title>${domain}</title>
<h1>${domain}</h1>
<p>Run by ${owner}; release ${release}.</p>
