console.log('sps');
