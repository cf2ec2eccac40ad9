/**
 * The one stylesheet, inlined in every page; its hash goes into the CSP. System fonts only:
 * a page makes no request beyond itself and the article's own images.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1b1b1d;--bg:#fcfcfa;--muted:#595c63;--accent:#0b57d0;--rule:#dcdbd5;--soft:#f2f1ec;--code:#eceae4;--serif:Charter,"Bitstream Charter","Sitka Text",Cambria,"Noto Serif","DejaVu Serif",Georgia,serif;--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;--mono:ui-monospace,"SF Mono",Menlo,Consolas,"Noto Sans Mono","DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--fg:#e7e6e2;--bg:#151517;--muted:#a6a6ad;--accent:#8ab4f8;--rule:#37373d;--soft:#1f1f23;--code:#26262b}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--fg);font:clamp(1.0625rem,1rem + .3vw,1.1875rem)/1.65 var(--serif);overflow-wrap:break-word}
.wrap{width:100%;max-width:42rem;margin:0 auto;padding:0 1.25rem}
main{flex:1 0 auto}
header.site{border-bottom:1px solid var(--rule);font-family:var(--sans)}
header.site .wrap{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:.25rem 1rem;padding-block:.9rem}
.brand{color:var(--fg);font-weight:700;font-size:1.05rem;letter-spacing:.01em;text-decoration:none}
header.site nav{font-size:.9rem}
footer.site{margin-top:4rem;border-top:1px solid var(--rule);color:var(--muted);font:.875rem/1.6 var(--sans)}
footer.site .wrap{padding-block:1.5rem 2.5rem}
footer.site p{margin:0 0 .25rem}
a{color:var(--accent);text-decoration-thickness:.07em;text-underline-offset:.16em}
a:hover{text-decoration-thickness:.14em}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:2px}
h1,h2,h3,h4,h5,h6{font-family:var(--sans);line-height:1.25;text-wrap:balance}
h1{font-size:clamp(1.75rem,1.3rem + 2.2vw,2.5rem);line-height:1.15;letter-spacing:-.01em;margin:2.25rem 0 .75rem}
body>main:first-child>h1:first-child{margin-top:clamp(2.25rem,1rem + 5vw,4rem)}
p,li,blockquote{text-wrap:pretty}
.meta{color:var(--muted);font:.9rem/1.5 var(--sans);margin:0 0 1rem}
.lede{color:var(--muted);font-size:1.1em;margin:0 0 1.5rem}
p,ul,ol,dl,blockquote,pre,figure,table,details{margin:0 0 1.15em}
.content{margin-top:2rem}
.content h1,.content h2{font-size:1.4rem;margin:2.2rem 0 .6rem}
.content h3,.content h4,.content h5,.content h6{font-size:1.15rem;margin:1.8rem 0 .5rem}
.content li{margin:.3em 0}
.content img{display:block;max-width:100%;height:auto;margin:1.5rem auto}
.content a{overflow-wrap:anywhere}
figure{margin-inline:0}
figcaption{color:var(--muted);font:.875rem/1.5 var(--sans);margin-top:.5rem}
blockquote{margin-inline:0;padding:.1rem 0 .1rem 1.1rem;border-left:3px solid var(--rule)}
hr{border:0;border-top:1px solid var(--rule);margin:2.5rem 0}
code,kbd,samp,pre{font-family:var(--mono);font-size:.86em}
:not(pre)>code{background:var(--code);padding:.1em .3em;border-radius:.25em;overflow-wrap:anywhere}
pre{background:var(--code);padding:.9rem 1rem;border-radius:.4rem;overflow-x:auto;line-height:1.5;tab-size:2}
table{display:block;max-width:100%;overflow-x:auto;border-collapse:collapse;font:.92rem/1.45 var(--sans)}
th,td{padding:.4rem .7rem;border-bottom:1px solid var(--rule);text-align:start;vertical-align:top}
.source{background:var(--soft);border-left:3px solid var(--accent);padding:.65rem 1rem;font:.92rem/1.5 var(--sans)}
.lead{margin:1.5rem 0 0}.lead img{display:block;width:100%;height:auto;border-radius:.3rem}
article footer{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--rule);font:.9rem/1.5 var(--sans)}
.tags,.feeds{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem}
.tags a,.feeds a{display:inline-block;padding:.2rem .75rem;border:1px solid var(--rule);border-radius:999px;text-decoration:none;font:.875rem/1.6 var(--sans)}
.feeds a{border-color:var(--accent);font-weight:600}
.tags a:hover,.feeds a:hover{background:var(--soft)}
.subscribe{background:var(--soft);border-radius:.6rem;padding:1rem 1.25rem;margin:0 0 2rem;font-family:var(--sans)}
.subscribe h2{font-size:1rem;margin:0 0 .6rem}
.subscribe .feeds{margin-bottom:.6rem}
.help{color:var(--muted);font-size:.875rem;line-height:1.5;margin:0}
ol.articles{list-style:none;padding:0;margin:0}
ol.articles>li{border-top:1px solid var(--rule);padding:1.25rem 0}
ol.articles h2{font-size:1.3rem;margin:0 0 .3rem}
ol.articles h2 a{color:var(--fg);text-decoration:none}
ol.articles h2 a:hover{text-decoration:underline}
ol.articles .meta{margin:0 0 .4rem}
ol.articles p{margin:0}
.pager{display:flex;flex-wrap:wrap;justify-content:space-between;gap:1rem;margin:1rem 0 0;padding-top:1.25rem;border-top:1px solid var(--rule);font-family:var(--sans)}
.pager a[rel=next]{margin-left:auto}
.pager a[rel=prev]::before{content:"← "/""}
.pager a[rel=next]::after{content:" →"/""}
@media print{header.site nav,footer.site,.subscribe,.pager{display:none}body{background:#fff;color:#000}a{color:inherit}}
`.trim();
