"""Statistical process control as NHS England's Making Data Count defines it.

`xmr` computes the XmR limits and the rules; `icons` draws the variation and assurance icons;
`palette` holds the Making Data Count colours the icons and charts share.
"""
