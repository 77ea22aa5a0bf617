/// The dashboard's HTML: conversations, a chat with a reply box, an orders board with transition buttons,
/// live updates over `/ws`. Text is inserted with `textContent` only (never `innerHTML` of data).
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>Sufra dashboard</title>
        <style>
        *{box-sizing:border-box}body{margin:0;font:14px system-ui,sans-serif;color:#222;background:#f5f5f2}
        header{display:flex;gap:.5rem;align-items:center;padding:.5rem 1rem;background:#2d4a3e;color:#fff}
        header h1{font-size:1rem;margin:0 1rem 0 0}#live{margin-left:auto;font-size:.8rem}
        main{display:grid;grid-template-columns:260px 1fr 340px;height:calc(100vh - 44px)}
        section{overflow:auto;border-right:1px solid #ddd;background:#fff}h2{font-size:.9rem;margin:.5rem}
        .conv{padding:.5rem;border-bottom:1px solid #eee;cursor:pointer}.conv.sel{background:#e6f0eb}
        .badge{float:right;background:#c0392b;color:#fff;border-radius:9px;padding:0 6px;font-size:.75rem}
        #chat{display:flex;flex-direction:column}#msgs{flex:1;overflow:auto;padding:.5rem;display:flex;flex-direction:column-reverse}
        .m{max-width:70%;margin:.2rem 0;padding:.4rem .6rem;border-radius:8px;white-space:pre-wrap;unicode-bidi:plaintext}
        .inbound{background:#eee;align-self:flex-start}.outbound{background:#d5ecd9;align-self:flex-end}
        .meta{font-size:.7rem;color:#777}form{display:flex;gap:.3rem;padding:.5rem;border-top:1px solid #ddd}
        form input{flex:1;padding:.4rem}.order{margin:.5rem;padding:.5rem;border:1px solid #ddd;border-radius:6px}
        .order button{margin:.2rem .2rem 0 0}.st{font-weight:bold}
        </style></head><body>
        <header><h1>Sufra</h1><input id="token" placeholder="dashboard token" size="40">
        <button id="go">Connect</button><span id="live">offline</span></header>
        <main><section><h2>Conversations</h2><div id="convs"></div></section>
        <section id="chat"><div id="msgs"></div>
        <form id="reply"><input id="body" placeholder="Reply…" autocomplete="off"><button>Send</button></form></section>
        <section><h2>Orders</h2><div id="orders"></div></section></main>
        <script>
        "use strict";
        const $=id=>document.getElementById(id);let token=sessionStorage.getItem("sufraToken")||"",current=null,socket=null;
        const moves={CONFIRMED:["PREPARING","CANCELLED"],PREPARING:["OUT_FOR_DELIVERY","DELIVERED"],OUT_FOR_DELIVERY:["DELIVERED"]};
        function el(tag,cls,text){const e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e}
        async function api(path,opts={}){opts.headers=Object.assign({"Authorization":"Bearer "+token,"Content-Type":"application/json"},opts.headers);
          const r=await fetch(path,opts);const j=await r.json().catch(()=>({}));if(!r.ok)throw new Error(j.error||r.status);return j}
        async function loadConvs(){const p=await api("/api/conversations?limit=100");const box=$("convs");box.replaceChildren();
          for(const c of p.items){const d=el("div","conv"+(c.id===current?" sel":""),c.profileName||c.customer);
            if(c.unreadCount)d.append(el("span","badge",c.unreadCount));d.onclick=()=>openConv(c.id);box.append(d)}}
        async function openConv(id){current=id;await api("/api/conversations/"+id+"/read",{method:"POST"});await loadMsgs();loadConvs()}
        async function loadMsgs(){if(!current)return;const p=await api("/api/conversations/"+current+"/messages?limit=100");const box=$("msgs");box.replaceChildren();
          for(const m of p.items){const d=el("div","m "+m.direction,m.body||("[template "+m.contentSid+"]"));
            d.append(el("div","meta",new Date(m.createdAt).toLocaleTimeString()+" · "+m.status));box.append(d)}}
        async function loadOrders(){const p=await api("/api/orders?limit=50");const box=$("orders");box.replaceChildren();
          for(const o of p.items){if(o.status==="DRAFT")continue;const d=el("div","order");
            d.append(el("div",null,"#"+o.number+" · "+o.type+" · "+(o.total/100).toFixed(2)),el("div","st",o.status),
              el("div",null,o.items.map(i=>i.quantity+"× "+i.name).join(", ")));
            for(const to of (moves[o.status]||[])){if(o.type==="pickup"&&to==="OUT_FOR_DELIVERY")continue;if(o.type==="delivery"&&o.status==="PREPARING"&&to==="DELIVERED")continue;
              const b=el("button",null,to);b.onclick=()=>api("/api/orders/"+o.id+"/transition",{method:"POST",body:JSON.stringify({to})}).then(loadOrders).catch(e=>alert(e.message));d.append(b)}
            box.append(d)}}
        function connect(){if(socket)socket.close();const proto=location.protocol==="https:"?"wss:":"ws:";
          socket=new WebSocket(proto+"//"+location.host+"/ws?token="+encodeURIComponent(token));
          socket.onopen=()=>$("live").textContent="live";socket.onclose=()=>{$("live").textContent="offline";setTimeout(()=>{if(token)connect()},3000)};
          socket.onmessage=e=>{const ev=JSON.parse(e.data);if(ev.type==="order.updated")loadOrders();
            else{loadConvs();if(ev.data&&(ev.data.conversationId===current||ev.data.id===current))loadMsgs()}}}
        async function start(){token=$("token").value.trim()||token;if(!token)return;sessionStorage.setItem("sufraToken",token);
          try{await Promise.all([loadConvs(),loadOrders()]);connect()}catch(e){alert("Cannot connect: "+e.message)}}
        $("go").onclick=start;$("token").value=token;if(token)start();
        $("reply").onsubmit=async e=>{e.preventDefault();const body=$("body").value.trim();if(!body||!current)return;
          await api("/api/conversations/"+current+"/messages",{method:"POST",body:JSON.stringify({body})});$("body").value="";loadMsgs()};
        </script></body></html>
        """#
}
