" Sinkfiles: `Sinkfile` and `*.sink` (sink's editor support, editors/vim)
autocmd BufRead,BufNewFile Sinkfile,*.sink setfiletype sink
