" Reads the syntax groups that sink's Vim syntax file gives, for tests/editor_grammars.py.
"
" usage: vim -Nu NONE -i NONE -es --cmd 'set rtp^=editors/vim'
"            --cmd 'let g:sink_job = "JOB.json"' --cmd 'let g:sink_out = "OUT.json"'
"            -S tests/editors/vim_syntax.vim
"   JOB.json: {"files": [PATH, ...]}
"   OUT.json: {PATH: {"filetype": ..., "lines": [[[NAME, STACK], ...] for each byte]}}
"   where NAME is synIDattr(synID(line, col, 1), "name") and STACK the names of
"   synstack(line, col), joined with ">".
set nomore
filetype on
syntax on
let s:out = {}
try
  let s:job = json_decode(join(readfile(g:sink_job), "\n"))
  for s:file in s:job.files
    execute 'silent edit ' . fnameescape(s:file)
    let s:lines = []
    for s:lnum in range(1, line('$'))
      let s:cols = []
      for s:col in range(1, strlen(getline(s:lnum)))
        let s:name = synIDattr(synID(s:lnum, s:col, 1), 'name')
        let s:stack = join(map(synstack(s:lnum, s:col), 'synIDattr(v:val, "name")'), '>')
        call add(s:cols, [s:name, s:stack])
      endfor
      call add(s:lines, s:cols)
    endfor
    let s:out[s:file] = {'filetype': &filetype, 'lines': s:lines}
    silent bwipeout!
  endfor
catch
  let s:out = {'error': v:exception . ' at ' . v:throwpoint}
endtry
call writefile([json_encode(s:out)], g:sink_out)
qall!
