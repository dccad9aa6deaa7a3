/**
 * The stylesheet of the public pages and the privacy portal, served at `GET /public.css`
 * (src/http/public-layout.ts). System fonts only, no external resource. Colours meet WCAG
 * 2.1 AA (text ≥ 4.5:1, focus ring and borders ≥ 3:1); every focusable element shows a
 * visible outline (WCAG 2.4.7); readable from 320 px (WCAG 1.4.10 reflow) to wide screens.
 *
 * Classes, for the server pages and the portal's React components alike:
 *   .skip-link                   link to #main, visible on focus
 *   .pub-header                  top bar; inside: .pub-header-inner, .pub-brand (controller's name), .lang-switch
 *   .lang-switch                 the FR/EN link (or button)
 *   .pub-main                    the page's content column
 *   .pub-footer                  bottom; inside: .pub-footer-inner, nav ul, dl.contacts
 *   .card                        a boxed section; .card-title for its heading
 *   .btn                         primary button (button or a); .btn-secondary the quieter one; .btn-row lays them out
 *   .field                       a label + input group; label, input, select, textarea styled bare;
 *   .field-hint, .field-error    help text, and the error of one field (pair with aria-describedby)
 *   .notice-box                  a highlighted message; .notice-box.is-success, .is-error, .is-info
 *   .contacts                    a definition list of contact details
 *   .subtitle, .muted, .example  secondary text; .example marks an example value
 *   .visually-hidden             text for screen readers only
 */
export const PUBLIC_CSS = `/* Rempart public pages and privacy portal. Classes: see src/http/public-css.ts. */
:root{--pub-text:#1b1b1b;--pub-muted:#4a4a4a;--pub-bg:#ffffff;--pub-soft:#f3f5f8;--pub-border:#6b7280;--pub-line:#d0d5dd;--pub-primary:#00458a;--pub-primary-dark:#00305f;--pub-on-primary:#ffffff;--pub-focus:#b34700;--pub-error:#b00020;--pub-error-bg:#fdecee;--pub-success:#1e6b33;--pub-success-bg:#e8f5ec;--pub-info-bg:#e8f0fa;color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--pub-bg);color:var(--pub-text);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.55;overflow-wrap:break-word}
a{color:var(--pub-primary);text-decoration:underline;text-underline-offset:.15em}
a:hover{color:var(--pub-primary-dark);text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--pub-focus);outline-offset:2px}
.skip-link{position:absolute;left:.5rem;top:-3rem;z-index:10;padding:.5rem .75rem;background:var(--pub-bg);color:var(--pub-primary);border:2px solid var(--pub-primary);border-radius:4px}
.skip-link:focus{top:.5rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.pub-header{background:var(--pub-primary);color:var(--pub-on-primary)}
.pub-header-inner,.pub-footer-inner,.pub-main{max-width:52rem;margin:0 auto;padding-left:1rem;padding-right:1rem}
.pub-header-inner{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;min-height:3.5rem;padding-top:.5rem;padding-bottom:.5rem}
.pub-brand{font-weight:700;font-size:1.15rem;letter-spacing:.02em;color:var(--pub-on-primary)}
.pub-header a{color:var(--pub-on-primary)}
.pub-header :focus-visible{outline-color:#ffd166}
.lang-switch{display:inline-block;padding:.3rem .7rem;border:2px solid var(--pub-on-primary);border-radius:999px;color:var(--pub-on-primary);background:transparent;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.lang-switch:hover{background:var(--pub-on-primary);color:var(--pub-primary)}
.pub-main{padding-top:1.5rem;padding-bottom:2.5rem}
.pub-main h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
.pub-main h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.2rem;border-bottom:2px solid var(--pub-primary)}
.pub-main h3{font-size:1.05rem;margin:1.4rem 0 .5rem}
.pub-main ul,.pub-main ol{padding-left:1.3rem}
.pub-main dl{margin:.5rem 0 1rem}
.pub-main dt{font-weight:600;margin-top:.5rem}
.pub-main dd{margin:0 0 0 1rem}
.subtitle,.muted{color:var(--pub-muted)}
.subtitle{font-style:italic}
.example{color:var(--pub-muted);font-style:italic}
.card{background:var(--pub-bg);border:1px solid var(--pub-line);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
.card-title{font-size:1.15rem;margin:0 0 .5rem;border:0;padding:0}
.notice-box{border-left:5px solid var(--pub-primary);background:var(--pub-info-bg);padding:.85rem 1rem;margin:1rem 0;border-radius:0 6px 6px 0}
.notice-box>:first-child{margin-top:0}
.notice-box>:last-child{margin-bottom:0}
.notice-box.is-info{border-left-color:var(--pub-primary);background:var(--pub-info-bg)}
.notice-box.is-success{border-left-color:var(--pub-success);background:var(--pub-success-bg)}
.notice-box.is-error{border-left-color:var(--pub-error);background:var(--pub-error-bg)}
form{margin:1rem 0}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin:0 0 .3rem}
input,select,textarea{display:block;width:100%;max-width:32rem;font:inherit;color:var(--pub-text);background:var(--pub-bg);border:2px solid var(--pub-border);border-radius:4px;padding:.5rem .6rem;min-height:2.75rem}
input[type=checkbox],input[type=radio]{display:inline-block;width:1.2rem;height:1.2rem;min-height:0;margin:0 .5rem 0 0;vertical-align:middle;accent-color:var(--pub-primary)}
textarea{min-height:6rem;resize:vertical}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--pub-error)}
.field-hint{color:var(--pub-muted);font-size:.925rem;margin:.25rem 0 0}
.field-error{color:var(--pub-error);font-weight:600;font-size:.95rem;margin:.3rem 0 0}
.btn,button{display:inline-flex;align-items:center;justify-content:center;gap:.4rem;min-height:2.75rem;padding:.55rem 1.1rem;font:inherit;font-weight:600;line-height:1.2;border-radius:6px;border:2px solid var(--pub-primary);background:var(--pub-primary);color:var(--pub-on-primary);text-decoration:none;cursor:pointer}
.btn:hover,button:hover{background:var(--pub-primary-dark);border-color:var(--pub-primary-dark);color:var(--pub-on-primary)}
.btn-secondary,button.btn-secondary{background:var(--pub-bg);color:var(--pub-primary)}
.btn-secondary:hover,button.btn-secondary:hover{background:var(--pub-soft);color:var(--pub-primary-dark)}
.btn:disabled,button:disabled{opacity:.6;cursor:not-allowed}
.btn-row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1rem 0}
.btn-row form{margin:0}
.pub-footer{background:var(--pub-soft);border-top:1px solid var(--pub-line);font-size:.95rem}
.pub-footer-inner{padding-top:1.25rem;padding-bottom:1.5rem;display:grid;gap:1rem}
.pub-footer ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
.pub-footer h2{font-size:1rem;margin:0 0 .4rem}
.contacts{margin:0}
.contacts dt{font-weight:600;margin-top:.4rem}
.contacts dd{margin:0}
@media (min-width:48rem){.pub-footer-inner{grid-template-columns:1fr 1fr}.pub-main h1{font-size:1.9rem}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@media (forced-colors:active){.btn,button,.lang-switch{border:2px solid ButtonText}}
@media print{.pub-header,.pub-footer nav,.skip-link,.lang-switch{display:none}.pub-main{max-width:none}a{color:inherit}}
`;
